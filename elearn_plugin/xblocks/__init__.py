"""XBlocks shipped by the plugin. Thin: handlers call services."""
