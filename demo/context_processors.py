from django.utils.functional import SimpleLazyObject

from demo.models import DemoDataset


def demo_data(request):
    """Whether to show the 演示数据 banner; looked up only when a page renders it."""
    return {"demo_data": SimpleLazyObject(lambda: DemoDataset.objects.exists())}
