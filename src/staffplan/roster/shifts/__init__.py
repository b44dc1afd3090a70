"""Shift rostering engine (CP-SAT) whose rules express the Curtois & Qu employee scheduling benchmark."""

from staffplan.roster.shifts.instance import Instance, InstanceFormatError, load_instance, parse_instance

__all__ = ["Instance", "InstanceFormatError", "load_instance", "parse_instance"]
