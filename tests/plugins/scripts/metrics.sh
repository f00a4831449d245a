#!/bin/sh
# Test program for the command plugin: reads the configuration (JSON on
# stdin), prints some text and then its metrics as a JSON object.
read -r cfg
case "$cfg" in *'"mode":"fast"'*) fast=1 ;; *) fast=0 ;; esac
if [ -d "$BOGRAPH_TRIAL_DIR" ]; then dir=1; else dir=0; fi
echo "warming up"
echo "done"
printf '{"y": %s, "fast": %s, "b": %s, "dir_set": %s, "nested": {"z": 3}, "label": "x"}\n' \
  "$((BOGRAPH_PARAM_X * 2))" "$fast" "$BOGRAPH_PARAM_BUFFER_SIZE_KB" "$dir"
