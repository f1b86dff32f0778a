import { createRoot } from 'react-dom/client';
import { Root } from './app/root';
import './styles.css';

createRoot(document.getElementById('root')!).render(<Root />);
