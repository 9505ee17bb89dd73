// Repeat medication (issue 13, MG-8): the citizen orders repeatable medicines again from the organisation that
// prescribed or dispensed them; staff handle the order in their inbox, the organisation's system over FHIR (Task,
// src/fhir/medication-orders.ts). One domain module (orders.ts): changeStatus() is the one path of every status
// change, askQuestion() the one path of a question (both integration points of issue 13, see there).
import { defineCapability } from '../platform/capability.js';
import { PERMISSIONS } from '../platform/auth/permissions.js';
import type { FastifyRequest } from 'fastify';
import { medicationOrderMessages } from './messages.js';
import { openOrderCount } from './orders.js';
import { registerMedicationOrderRoutes } from './routes.js';

export {
  actorOf,
  askQuestion,
  changeStatus,
  auditOrderView,
  citizenOrder,
  nextStatuses,
  orderOffers,
  ordersById,
  placeOrder,
  OrderRefused,
  ORDER_STATUSES,
  TEXT_MAX,
  type Actor,
  type OrderStatus,
  type OrderView,
  type StatusChange,
} from './orders.js';
export { REPEAT_ORDERABLE, isRepeatable, repeatableMedicines, type OrderItem } from './repeatable.js';

/** The number beside "Herhaalrecepten" in the staff menu: new orders of the employee's organisation. */
async function newOrderCount(req: FastifyRequest): Promise<number | null> {
  const p = req.principal;
  if (p.kind !== 'staff' || !p.permissions.includes(PERMISSIONS.medicationOrders)) return null;
  return req.withData((scope) => openOrderCount(scope));
}

export const medicationOrders = defineCapability({
  name: 'medication-orders',
  messages: [medicationOrderMessages],
  navigation: [
    { area: 'citizen', href: '/repeat-medication', label: 'medicationOrders.nav', order: 22 },
    {
      area: 'staff',
      href: '/staff/medication-orders',
      label: 'medicationOrders.staff.nav',
      order: 22,
      permissions: [PERMISSIONS.medicationOrders],
      functions: ['repeat-medication'],
      badge: newOrderCount,
      badgeLabel: 'medicationOrders.staff.navCount',
    },
  ],
  register: registerMedicationOrderRoutes,
});
