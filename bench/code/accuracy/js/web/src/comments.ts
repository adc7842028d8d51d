import DOMPurify from 'dompurify';

const params = new URLSearchParams(window.location.search);

export function showFlash(): void {
  const banner = document.getElementById('flash')!;
  banner.innerHTML = params.get('msg') ?? ''; // VULN:xss
}

export function showFlashText(): void {
  const banner = document.getElementById('flash')!;
  banner.textContent = params.get('msg') ?? '';
}

export function showFlashSanitized(): void {
  const banner = document.getElementById('flash')!;
  banner.innerHTML = DOMPurify.sanitize(params.get('msg') ?? '');
}

export function renderComment(container: HTMLElement, author: string, body: string): void {
  container.insertAdjacentHTML('beforeend', `<li><b>${author}</b>: ${body}</li>`); // VULN:xss
}

export function renderCommentSafe(container: HTMLElement, author: string, body: string): void {
  const li = document.createElement('li');
  const b = document.createElement('b');
  b.textContent = author;
  li.append(b, `: ${body}`);
  container.append(li);
}

export function legacyWelcome(): void {
  document.write('<p>Welcome ' + decodeURIComponent(window.location.hash.slice(1)) + '</p>'); // VULN:xss
}

export function legacyWelcomeFixed(): void {
  document.write('<p>Welcome back</p>');
}

export function loadComments(): void {
  fetch('/api/comments')
    .then((r) => r.json())
    .then((items: { author: string; body: string }[]) => {
      const list = document.getElementById('comments')!;
      for (const c of items) renderCommentSafe(list, c.author, c.body);
    });
}
