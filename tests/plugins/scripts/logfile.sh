#!/bin/sh
# Test program: writes its results to a log file in its working directory.
echo "latency_ms=12.5 throughput=300" > out.log
echo "queue: 4" >> out.log
