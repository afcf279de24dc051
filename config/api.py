from ninja import NinjaAPI

api = NinjaAPI(title="Shaobao API", version="1")
