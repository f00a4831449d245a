#!/bin/sh
# Test program: prints a JSON object that is cut short.
echo '{"y": 1,'
