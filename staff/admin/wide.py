class WideChangelist:
    """A list staff work from: the whole width for its columns (no side
    menu), so it fits a 1280px laptop without scrolling sideways."""

    def changelist_view(self, request, extra_context=None):
        context = {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        return super().changelist_view(request, context)
