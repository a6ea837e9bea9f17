"""Pages where members write learning stories and send them to the board."""

urlpatterns = []
