from shaobao.org.scoping import actor_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from shaobao.ui.views import nav_items

    return {"actor": actor_for(user), "nav_items": nav_items(request)}
