#!/bin/sh
# Test program: the objective y is the parameter x.
echo "{\"y\": $BOGRAPH_PARAM_X}"
