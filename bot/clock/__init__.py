"""Time: an injectable clock for the engine, and the APScheduler waker that fires due work."""
