"""What each stage does beyond the common lifecycle: its units, its document, its rules.

Plain functions over a session; the flows in :mod:`arshjul.flows` wrap them.
"""
