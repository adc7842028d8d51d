import { initializeApp } from 'firebase/app';
const firebaseConfig = {
  apiKey: 'AIzaEglKPQMKt9O1Pr2DgqJets8UKgfzGNiIHkG',
  authDomain: 'acme-web.firebaseapp.com',
  projectId: 'acme-web',
  appId: '1:370346811553:web:ea647aeab6801411086428',
};
export const app = initializeApp(firebaseConfig);
