from .lsts import LSTS

__all__ = ['LSTS']
