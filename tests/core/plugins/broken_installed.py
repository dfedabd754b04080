"""An installed plugin whose import fails: dsio must warn and go on."""

raise RuntimeError("this plugin is broken on purpose")
