"""tutor-contrib-elearn: the Tutor plugin `elearn` (see `tutor_elearn.plugin`)."""

__version__ = "0.2.0"
