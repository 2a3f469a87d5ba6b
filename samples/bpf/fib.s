# SPDX-License-Identifier: GPL-2.0
#
# The 50th Fibonacci number, computed by a bpf-to-bpf call that keeps its
# two running values on its own stack.  Expected r0: 12586269025.
mov %r1, 50
call local fib
exit

# fib(%r1): %r0 = F(%r1); [%r10-8] and [%r10-16] hold F(i) and F(i+1)
fib:
stdw [%r10-8], 0
stdw [%r10-16], 1
next:
jeq %r1, 0, done
ldxdw %r2, [%r10-8]
ldxdw %r3, [%r10-16]
stxdw [%r10-8], %r3
add %r3, %r2
stxdw [%r10-16], %r3
sub %r1, 1
ja next
done:
ldxdw %r0, [%r10-8]
exit
