"""The monthly assessment: a versioned scheme, scores with fair (shrunk) rates, 红黑榜, alerts, what changed
and why, and the briefing sent up the chain."""
