"""The operation catalogue: every connector operation a procedure may name, with typed
arguments and results, and whether it writes and whether repeating it is safe."""
