/**
 * What makes a component a settings page of the plugin: guarded by settings.manage (the menu link asks for it too,
 * and the server checks every route again), and for lists with an editor, the editor's routes.
 */
import type { ComponentType, ReactNode } from 'react';
import { Route, Routes } from 'react-router-dom';
import { Page } from '@strapi/strapi/admin';
import { PERMISSIONS } from '../../utils/permissions';

export const MANAGE_SETTINGS = PERMISSIONS.manageSettings;

export const ProtectSettings = ({ children }: { children: ReactNode }) => (
  <Page.Protect permissions={MANAGE_SETTINGS}>{children}</Page.Protect>
);

/** The page a settings link loads: `Content` behind the permission check. */
export const settingsPage = (Content: ComponentType) => {
  const ProtectedPage = () => (
    <ProtectSettings>
      <Content />
    </ProtectSettings>
  );
  return ProtectedPage;
};

/** A list page whose items are created under `new` and edited under `:id` by the same editor. */
export const listWithEditor = (List: ComponentType, Editor: ComponentType) => {
  const ProtectedRoutes = () => (
    <ProtectSettings>
      <Routes>
        <Route index element={<List />} />
        <Route path="new" element={<Editor />} />
        <Route path=":id" element={<Editor />} />
      </Routes>
    </ProtectSettings>
  );
  return ProtectedRoutes;
};
