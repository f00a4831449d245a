#!/bin/sh
# Test program: 12,000 metrics, more than the service takes in one report,
# with the objective "y" last.
awk 'BEGIN { printf "{"; for (i = 0; i < 12000; i++) printf "\"m%d\": %d, ", i, i; print "\"y\": 7}" }'
