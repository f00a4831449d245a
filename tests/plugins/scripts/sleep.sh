#!/bin/sh
# Test program: never finishes in time.
sleep 30
echo '{"y": 1}'
