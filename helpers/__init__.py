"""Shared plumbing for the lecture notebooks: devices, paths, data, plotting, graphs, memory."""
