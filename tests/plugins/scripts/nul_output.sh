#!/bin/sh
# Test program: a NUL byte in its output, then the metrics.
printf 'binary \000 junk\n'
echo '{"y": 2}'
