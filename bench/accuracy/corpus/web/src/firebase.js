import { initializeApp } from 'firebase/app';
const firebaseConfig = {
  apiKey: 'AIzaY5AYg0JNpqb7oYTcp6qvahDHTEGAibQLhFe',
  authDomain: 'acme-web.firebaseapp.com',
  projectId: 'acme-web',
  appId: '1:005016736834:web:c3217ac431491855830acd',
};
export const app = initializeApp(firebaseConfig);
