"""A domain: course pages, the studio, authoring and publishing of course content."""
