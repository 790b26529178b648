app_name = "priorisation"

urlpatterns = []
