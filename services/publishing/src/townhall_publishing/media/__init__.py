"""Images and documents attached to posts: checked by content, kept in a media store,
served under the post's readers rule."""
