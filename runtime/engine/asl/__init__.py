"""The ASL target: a graph as an AWS Step Functions state machine (``machine.compile_asl``)."""
