"""Realtime: the Socket.IO server at /realtime/v1."""
