"""What a graph deployed as a Lambda function runs with: its tenant's settings, store and AI."""
