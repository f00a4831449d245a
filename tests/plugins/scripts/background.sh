#!/bin/sh
# Test program: leaves a background process holding stdout open, then exits.
sleep 30 &
echo "{\"y\": 1, \"bg\": $!}"
