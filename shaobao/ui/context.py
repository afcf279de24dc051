from shaobao.org.scoping import actor_for


def navigation(request):
    user = getattr(request, "user", None)
    actor = actor_for(user) if user is not None else None
    return {"actor": actor, "actor_roles": actor.roles if actor else set()}
