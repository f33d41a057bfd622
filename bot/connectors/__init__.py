"""Runtime connectors: the code that performs catalogue operations against real or sandbox tools."""
