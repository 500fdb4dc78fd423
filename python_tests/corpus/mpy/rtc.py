import time

import _corpus


class RTC:
    def __init__(self):
        self._dt = None

    @property
    def datetime(self):
        return self._dt if self._dt is not None else time.localtime()

    @datetime.setter
    def datetime(self, value):
        _corpus.note("rtc.datetime = %r" % (tuple(value),))
        self._dt = value
