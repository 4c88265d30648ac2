"""The submission page (`arshjul portal`): see :mod:`arshjul.portal.app`."""
