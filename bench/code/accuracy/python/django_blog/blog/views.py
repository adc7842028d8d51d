from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from blog.models import Post


def post_by_slug(request):
    slug = request.GET.get("slug", "")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, title FROM blog_post WHERE slug = '{slug}'")  # VULN:sqli
        row = cursor.fetchone()
    return JsonResponse({"post": row})


def post_by_slug_safe(request):
    slug = request.GET.get("slug", "")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, title FROM blog_post WHERE slug = %s", [slug])
        row = cursor.fetchone()
    return JsonResponse({"post": row})


def search(request):
    term = request.POST["term"]
    posts = Post.objects.raw("SELECT * FROM blog_post WHERE title LIKE '%%" + term + "%%'")  # VULN:sqli
    return JsonResponse({"ids": [p.id for p in posts]})


def search_safe(request):
    term = request.POST["term"]
    posts = Post.objects.filter(title__icontains=term)
    return JsonResponse({"ids": [p.id for p in posts]})


def greet(request):
    name = request.GET.get("name", "")
    return HttpResponse(mark_safe(f"<p>Welcome back, {name}</p>"))  # VULN:xss


def greet_escaped(request):
    name = request.GET.get("name", "")
    return HttpResponse(mark_safe(f"<p>Welcome back, {escape(name)}</p>"))
