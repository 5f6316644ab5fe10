"""Running untrusted code: the grader's side, the zygote and monitor, the child, their protocol, and the kernel layers (landlock, seccomp)."""
