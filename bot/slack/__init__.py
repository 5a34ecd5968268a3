"""Slack: where the finance team approves escalations, confirms payments, resolves disputes,
labels replies and reads the daily digest. ``poster`` queues and posts, ``app`` answers
clicks and commands, ``blocks`` and ``views`` say what is shown."""
