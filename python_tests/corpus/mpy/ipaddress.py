class IPv4Address:
    def __init__(self, text):
        self._text = str(text)

    def __str__(self):
        return self._text

    def __repr__(self):
        return "IPv4Address(%r)" % self._text

    def __eq__(self, other):
        return str(self) == str(other)


def ip_address(text):
    return IPv4Address(text)


ip_address_ = ip_address
