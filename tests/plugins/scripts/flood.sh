#!/bin/sh
# Test program: floods stdout forever.
exec yes "a line of output that never ends"
