from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from bare.models import Item


@csrf_exempt
def create(request):
    p = request.POST
    item = Item.objects.create(
        service_code=p.get("service_code", ""),
        description=p.get("description", ""),
        lat=float(p["lat"]) if p.get("lat") else None,
        lng=float(p["long"]) if p.get("long") else None,
    )
    return JsonResponse([{"service_request_id": f"SQ{item.pk:09d}"}], safe=False, status=201)


urlpatterns = [path("open311/v2/requests.json", create)]
