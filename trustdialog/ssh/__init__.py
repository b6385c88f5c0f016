"""The SSH server for facilitators: one trustdialog app per connection, in its own pty."""
