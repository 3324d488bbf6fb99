"""What pages show, computed from the service's answers: runs, compliance reports, the theme."""
