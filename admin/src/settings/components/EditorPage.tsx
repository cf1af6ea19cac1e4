/**
 * The page of a create / edit form (a mailbox, a piping rule): the whole page is the form, with a back link and Save
 * in the header, so Enter in any field saves.
 */
import type { FormEvent, ReactNode } from 'react';
import { Flex } from '@strapi/design-system';
import { BackButton } from '@strapi/strapi/admin';
import { SaveButton } from './buttons';
import { PluginPage } from './PluginPage';

interface EditorPageProps {
  title: string;
  subtitle: string;
  /** Where Back goes when there is no history to go back in (a link opened directly). */
  backTo: string;
  saving: boolean;
  onSave(): void;
  children: ReactNode;
}

export const EditorPage = ({ title, subtitle, backTo, saving, onSave, children }: EditorPageProps) => {
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSave();
  };
  return (
    <form onSubmit={submit} noValidate>
      <PluginPage
        title={title}
        subtitle={subtitle}
        navigationAction={<BackButton fallback={backTo} />}
        primaryAction={<SaveButton loading={saving} />}
      >
        <Flex direction="column" alignItems="stretch" gap={6}>
          {children}
        </Flex>
      </PluginPage>
    </form>
  );
};
