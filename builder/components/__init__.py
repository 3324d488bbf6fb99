"""UI pieces of the builder: the React Flow wrapper, the canvas, the palette, notices."""
