#!/bin/sh
# Test program: fails with a message on stderr.
echo "starting" >&2
echo "oops: disk full" >&2
exit 3
