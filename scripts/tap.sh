# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced by the check scripts: one TAP line per result, counted.
#   tap_result ok|not_ok DESCRIPTION [DIAGNOSTICS-FILE]
# prints "ok N DESCRIPTION" or "not ok N DESCRIPTION", then the end of the
# diagnostics file (if given and not empty) as "# " lines.

n=0
failed=0

tap_result()
{
	n=$((n + 1))
	if [[ $1 == ok ]]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=$((failed + 1))
	fi
	if [[ -n ${3:-} && -s $3 ]]; then
		tail -n 30 "$3" | sed 's/^/# /'
	fi
}
