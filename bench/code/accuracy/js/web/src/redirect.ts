const ALLOWED_PATHS = ['/account', '/orders', '/help'];

export function followNext(): void {
  const next = new URLSearchParams(window.location.search).get('next') ?? '/';
  const link = document.getElementById('continue') as HTMLAnchorElement;
  link.href = ALLOWED_PATHS.includes(next) ? next : '/';
}

export function showError(): void {
  const reason = new URLSearchParams(window.location.search).get('reason') ?? '';
  const box = document.getElementById('error')!;
  box.outerHTML = `<div class="error">${reason}</div>`; // VULN:xss
}

export function showErrorText(): void {
  const reason = new URLSearchParams(window.location.search).get('reason') ?? '';
  const box = document.getElementById('error')!;
  box.textContent = reason;
}
