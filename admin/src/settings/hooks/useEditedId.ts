import { useParams } from 'react-router-dom';

/** The id of the item an editor page shows (`…/:id`), or null on its `new` page. */
export function useEditedId(): number | null {
  const { id } = useParams<{ id: string }>();
  return id && /^\d+$/.test(id) ? Number(id) : null;
}
