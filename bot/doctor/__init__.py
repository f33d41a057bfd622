"""``sopbot doctor``: every part this process is configured with, checked without changing
anything, one finding per thing checked (``bot.doctor.diagnosis.diagnose``)."""
