"""Catalogue views using the Django ORM escape hatches."""
from django.db.models.expressions import RawSQL
from django.http import JsonResponse

from shop.models import Product


def by_tag(request):
    tag = request.GET["tag"]
    qs = Product.objects.extra(where=["tags LIKE '%%" + tag + "%%'"])  # VULN:sqli
    return JsonResponse({"ids": list(qs.values_list("id", flat=True))})


def by_tag_safe(request):
    tag = request.GET["tag"]
    qs = Product.objects.extra(where=["tags LIKE %s"], params=[f"%{tag}%"])
    return JsonResponse({"ids": list(qs.values_list("id", flat=True))})


def with_score(request):
    weight = request.GET.get("weight", "1")
    qs = Product.objects.annotate(score=RawSQL("popularity * " + weight, []))  # VULN:sqli
    return JsonResponse({"ids": list(qs.order_by("-score").values_list("id", flat=True))})


def with_score_safe(request):
    weight = float(request.GET.get("weight", "1"))
    qs = Product.objects.annotate(score=RawSQL("popularity * %s", [weight]))
    return JsonResponse({"ids": list(qs.order_by("-score").values_list("id", flat=True))})
